// Mechanism family aes-wrap: being written; registers its mechanisms on import.
export {};
