// Loaded by path (DataConverter.failureConverterPath) in the worker, the client and the workflow bundle:
// the SDK bundles it into the workflow sandbox, so it must import nothing beyond @temporalio/common.
// With encodeCommonAttributes, failure messages and stack traces move into a payload, which the codec then
// encrypts; otherwise a stderr tail or an error that quotes a secret would sit in the history in the clear.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
