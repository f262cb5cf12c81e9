import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { DirectoryService } from '@dizi/directory';
import { ADMIN_AUTH, DIRECTORY_SERVICE } from './admin.tokens';

export interface AdminAuthOptions {
  /** A static bearer token (DIZI_ADMIN_TOKEN), or undefined to allow only admin accounts. */
  token?: string;
}

/**
 * /api/admin accepts HTTP Basic with a system admin account (`dizi user add … --role
 * admin`) or `Authorization: Bearer <DIZI_ADMIN_TOKEN>`.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(DIRECTORY_SERVICE) private readonly directory: DirectoryService,
    @Inject(ADMIN_AUTH) private readonly options: AdminAuthOptions,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization ?? '';
    const [scheme, value = ''] = header.split(' ', 2);
    if (/^bearer$/i.test(scheme) && this.options.token) {
      const a = Buffer.from(value);
      const b = Buffer.from(this.options.token);
      if (a.length === b.length && timingSafeEqual(a, b)) return true;
    }
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        const user = await this.directory.authenticate(
          decoded.slice(0, colon),
          decoded.slice(colon + 1),
        );
        if (user && user.role === 'admin') return true;
      }
    }
    throw new UnauthorizedException(
      'admin credentials required: HTTP Basic with an admin account, or Bearer DIZI_ADMIN_TOKEN',
    );
  }
}
