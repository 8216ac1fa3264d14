// Mechanism family generic-secret: being written; registers its mechanisms on import.
export {};
