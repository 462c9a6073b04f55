export { blindIndex, normaliseForIndex } from './blind-index.js';
export {
  FieldCipher,
  type FieldContext,
  FieldIntegrityError,
  keyVersionOf,
} from './field-cipher.js';
export { ensureKeyTableSql } from './key-table.js';
export { Keyring, type KeyringOptions, UnknownKeyVersionError } from './keyring.js';
export { KEY_BYTES, loadSecretKey, type SecretKeyOptions } from './keys.js';
export {
  rotateColumns,
  type RotationOptions,
  type RotationResult,
  type RotationSpec,
} from './rotate.js';
