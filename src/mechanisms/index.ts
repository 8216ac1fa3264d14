/** Loads every mechanism family into the registry. */
import './digest.js';
import './aes.js';
import './aes-wrap.js';
import './aes-aead.js';
import './cmac.js';
import './des3.js';
import './chacha20.js';
import './rsa.js';
import './ec.js';
import './eddsa.js';
import './montgomery.js';
import './hmac.js';
import './kdf.js';
import './generic-secret.js';
import './pqc.js';
import './pqc-pkcs8.js';
export { mechanismFor, mechanismInfo, mechanismList } from './registry.js';
