import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The client's address: the socket's, unless TRUST_PROXY is set, in which case
 * Express derives it from `X-Forwarded-For` ('trust proxy' is configured at
 * boot from TRUST_PROXY, so a forged header is ignored otherwise).
 */
export const ClientIp = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<Request>();
  return request.ip ?? request.socket.remoteAddress ?? '';
});

export const UserAgent = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  String(context.switchToHttp().getRequest<Request>().headers['user-agent'] ?? '').slice(0, 512),
);
