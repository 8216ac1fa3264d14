// Mechanism family rsa: being written; registers its mechanisms on import.
export {};
