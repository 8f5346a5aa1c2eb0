import { Agent, request } from 'node:http';

export interface LoadAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * The load generator's HTTP client for the timed part of a benchmark: JSON
 * POSTs over kept-alive connections with `node:http`. It shares the machine's
 * two cores with the system it measures, so it should take as little of them
 * as a load generator on another machine would: `fetch` (undici) costs it
 * 0.4–0.7 ms of CPU a request here, this 0.13–0.22 ms, measured against
 * `POST /v1/auth/refresh`. Set-up and checks keep the tests' `apiClient`.
 */
export function loadClient(baseUrl: string, connections: number) {
  const { hostname, port } = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const post = (path: string, body: unknown): Promise<LoadAnswer> =>
    new Promise((resolve, reject) => {
      const json = JSON.stringify(body);
      const outgoing = request(
        {
          host: hostname,
          port,
          path,
          method: 'POST',
          agent,
          timeout: 30_000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({
              status: response.statusCode ?? 0,
              body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`POST ${path}: no answer in 30 s`)));
      outgoing.on('error', reject);
      outgoing.end(json);
    });
  return { post, close: () => agent.destroy() };
}
