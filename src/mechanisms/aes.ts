// Mechanism family aes: being written; registers its mechanisms on import.
export {};
