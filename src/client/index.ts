/** The streaming HTTP client for OpenAI-compatible servers and its helpers. */
export { createOpenAIClient } from './openai-client.js';
export { listModels, type ListModelsOptions } from './list-models.js';
export { probeServerInfo, type ServerInfo } from './server-info.js';
export { probeExactOutputSupport, type ExactOutputSupport } from './probe-exact-output.js';
export { probeConnectionReuse } from './probe-connection-reuse.js';
export { ClientError } from './errors.js';
export { countTokens, TOKENIZER_NAME } from '../text/tokenizer.js';
export type { ApiKind, ClientConfig, CreateClient, InferenceClient, SendContext, Timeouts } from './types.js';
