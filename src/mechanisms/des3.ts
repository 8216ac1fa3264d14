// Mechanism family des3: being written; registers its mechanisms on import.
export {};
