/**
 * Typed application errors. Domain functions throw these; one middleware turns them
 * into JSON bodies `{ code, message, details }` with a stable `code` and status.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequest extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(400, 'bad_request', message, details);
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Authentication required.') {
    super(401, 'unauthorized', message);
  }
}

export class Forbidden extends AppError {
  constructor(message = 'You may not do that.') {
    super(403, 'forbidden', message);
  }
}

/** Re-authentication failed: the password given to confirm an action is wrong (not a lost session). */
export class WrongPassword extends AppError {
  constructor() {
    super(403, 'wrong_password', 'The password is wrong.');
  }
}

export class UpgradeRequired extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super(403, 'upgrade_required', message, details);
  }
}

export class NotFound extends AppError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}

export class Conflict extends AppError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', 'Too many attempts; try again later.', { retry_after_seconds: retryAfterSeconds });
  }
}

export class Unavailable extends AppError {
  constructor(message = 'The service is temporarily unavailable.') {
    super(503, 'unavailable', message);
  }
}
