// Mechanism family ec: being written; registers its mechanisms on import.
export {};
