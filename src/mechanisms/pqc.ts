// Mechanism family pqc: being written; registers its mechanisms on import.
export {};
