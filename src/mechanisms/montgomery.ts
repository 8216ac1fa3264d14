// Mechanism family montgomery: being written; registers its mechanisms on import.
export {};
