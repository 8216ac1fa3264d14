// Mechanism family aes-aead: being written; registers its mechanisms on import.
export {};
