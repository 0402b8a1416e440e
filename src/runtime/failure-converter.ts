import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of every Debrief client and worker (loaded by path, and bundled into the workflow
 * sandbox): failure messages and stack traces go into an encoded attributes payload, which the encryption
 * codec then encrypts, because provider errors and workflow failures can quote what a person wrote.
 * The stored failure's message reads "Encoded failure".
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
