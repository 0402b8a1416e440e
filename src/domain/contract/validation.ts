import type { z } from 'zod';

/** One validation problem, as the API reports it: where (a dotted path) and what is wrong. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Turns zod issues into `{ path, message }` pairs, prefixing the path (e.g. `data`). */
export function toValidationIssues(error: z.ZodError, prefix?: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path:
      [prefix, ...issue.path.map(String)].filter((part) => part !== undefined && part !== '').join('.') ||
      '(root)',
    message: issue.message,
  }));
}
