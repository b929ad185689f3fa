import { InferscopeError } from '../errors.js';

/** Invalid user input (flag, config field, spec). `field` names what was wrong, e.g. "--input-tokens". */
export class ConfigError extends InferscopeError {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('input', message, options);
  }
}
