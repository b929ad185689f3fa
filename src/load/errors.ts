import { ConfigError } from '../config/errors.js';
import { RunFailedError } from '../errors.js';

/** A load profile or run limit that cannot be run. `field` names the offending option, e.g. "profile.rate". */
export class LoadConfigError extends ConfigError {
  override readonly name: string = 'LoadConfigError';
}

/** The run itself failed (not a request: those become records), e.g. an onRecord listener threw. */
export class LoadRunError extends RunFailedError {
  override readonly name = 'LoadRunError';
}
