// Mechanism family eddsa: being written; registers its mechanisms on import.
export {};
