// Mechanism family chacha20: being written; registers its mechanisms on import.
export {};
