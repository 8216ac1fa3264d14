// Mechanism family cmac: being written; registers its mechanisms on import.
export {};
