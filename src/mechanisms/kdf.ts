/**
 * Key derivation and password-based key generation mechanisms. Each family is
 * in its own file and registers its mechanisms on import.
 */
import './kdf-simple.js';
import './kdf-encrypt-data.js';
import './kdf-hkdf.js';
import './kdf-pbkdf2.js';
import './kdf-sp800-108.js';
