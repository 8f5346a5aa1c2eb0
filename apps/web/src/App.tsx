import { useCallback, useEffect, useState } from 'react';
import { api, type Me, restoreSession, signOut } from './api';
import { PasswordPolicies } from './admin/PasswordPolicies';
import { UserPage } from './admin/UserPage';
import { Users } from './admin/Users';
import { Security } from './profile/Security';
import { Link, navigate, usePath } from './router';
import { SignIn } from './sign-in/SignIn';

const isAdmin = (me: Me | null) => me?.roles.includes('admin') === true;

/**
 * The shell: restores a session from the cookie on load, then shows the page
 * of the path — the sign-in to anyone not signed in.
 */
export function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const loadMe = useCallback(async () => setMe(await api.me()), []);

  useEffect(() => {
    void (async () => {
      if (await restoreSession()) await loadMe().catch(() => setMe(null));
      setLoading(false);
    })();
  }, [loadMe]);

  useEffect(() => {
    if (loading) return;
    if (!me && path !== '/sign-in') navigate('/sign-in', { replace: true });
    if (me && (path === '/' || path === '/sign-in')) navigate('/profile', { replace: true });
  }, [loading, me, path]);

  useEffect(() => {
    document.title = `${titleOf(path)} · totp-mfa`;
  }, [path]);

  const leave = async () => {
    await signOut().catch(() => undefined);
    setMe(null);
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">totp-mfa</span>
        {me && (
          <nav aria-label="Main">
            <Link href="/profile" aria-current={path === '/profile' ? 'page' : undefined}>
              My Profile
            </Link>
            {isAdmin(me) && (
              <>
                <Link href="/admin/users" aria-current={path.startsWith('/admin/users') ? 'page' : undefined}>
                  Users
                </Link>
                <Link href="/admin/policies" aria-current={path === '/admin/policies' ? 'page' : undefined}>
                  Password Policies
                </Link>
              </>
            )}
            <button type="button" className="link" onClick={() => void leave()}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main">{loading ? <p>Loading…</p> : <Page path={path} me={me} onSignedIn={loadMe} />}</main>
    </>
  );
}

function Page({ path, me, onSignedIn }: { path: string; me: Me | null; onSignedIn: () => Promise<void> }) {
  if (!me) return <SignIn onSignedIn={onSignedIn} />;
  if (path === '/profile') return <Security me={me} onChange={onSignedIn} />;
  if (isAdmin(me) && path === '/admin/users') return <Users />;
  if (isAdmin(me) && path.startsWith('/admin/users/')) return <UserPage id={decodeURIComponent(path.slice(13))} />;
  if (isAdmin(me) && path === '/admin/policies') return <PasswordPolicies />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link href="/profile">Go to My Profile</Link>
      </p>
    </section>
  );
}

function titleOf(path: string): string {
  if (path === '/sign-in') return 'Sign in';
  if (path === '/profile') return 'My Profile';
  if (path.startsWith('/admin/users')) return 'Users';
  if (path === '/admin/policies') return 'Password Policies';
  return 'totp-mfa';
}
