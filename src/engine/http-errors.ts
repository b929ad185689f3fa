/** An error that becomes an OpenAI-shaped JSON body: {"error": {message, type, param, code}}. */
export class OpenAiHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = status === 404 ? 'not_found_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OpenAiHttpError';
  }

  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400 for a bad or wrong-typed request field, naming it. */
export function badRequest(message: string, param: string | null = null, code: string | null = null): OpenAiHttpError {
  return new OpenAiHttpError(400, message, 'invalid_request_error', param, code);
}
