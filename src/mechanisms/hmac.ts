// Mechanism family hmac: being written; registers its mechanisms on import.
export {};
