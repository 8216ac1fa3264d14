// Mechanism family kdf: being written; registers its mechanisms on import.
export {};
