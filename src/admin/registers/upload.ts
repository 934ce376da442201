// The register upload's multipart body (POST /admin/registers): read into memory, one file, at most 10 MB. It runs
// before the console's CSRF check (src/admin/app.ts), because that check reads the form's _csrf field from req.body,
// which only exists once the multipart body is read; the form sends _csrf before the file, so the token is there
// even when the file is too large, and the check still refuses a post without it (403). Only a signed-in staff
// session gets its body read: for anyone else the CSRF check refuses the post unread.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';

export const REGISTER_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_PATH = '/admin/registers';

export type UploadProblem = 'tooLarge' | 'badUpload';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Why the register upload's body could not be read as one file (set by registerUploadParser). */
      registerUploadProblem?: UploadProblem;
    }
  }
}

const parser = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: REGISTER_MAX_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 2000 },
  defParamCharset: 'utf8', // file names in Russian arrive as UTF-8 from every current browser
} as multer.Options).single('file');

export function registerUploadParser(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path !== UPLOAD_PATH || !req.is('multipart/form-data') || !req.session?.staff) return next();
    parser(req, res, (err?: unknown) => {
      if (err) {
        req.registerUploadProblem = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE' ? 'tooLarge' : 'badUpload';
        req.file = undefined;
        req.body ??= {};
      }
      next();
    });
  };
}
