/**
 * Argument checks with pkcs11js's TypeError wording, so code that matches on
 * those messages behaves the same. Each reader takes the argument list and the
 * index and returns the value in our core's form.
 */
import { handleFromBuffer } from './handles.js';

export type Args = readonly unknown[];

export function typeError(message: string): TypeError {
  return new TypeError(message);
}

/** pkcs11js requires the exact number of arguments for most functions. */
export function expectCount(args: Args, count: number): void {
  if (args.length !== count) {
    throw typeError(`Parameters are required. Expected ${count} arguments, but received ${args.length}.`);
  }
}

export function readBuffer(args: Args, index: number): Buffer {
  const v = args[index];
  if (!Buffer.isBuffer(v)) throw typeError(`Argument ${index} has wrong type. Should be a Buffer`);
  return v;
}

/** A session, object or slot handle: an 8-byte Buffer (CK_ULONG in host order). */
export function readHandle(args: Args, index: number): number {
  const v = readBuffer(args, index);
  if (v.length !== 8) throw typeError(`Argument ${index} has wrong length. Should be 8 bytes.`);
  return handleFromBuffer(v);
}

/** A CK_ULONG argument (flags, user type, mechanism type): pkcs11js reads it as uint32. */
export function readUlong(args: Args, index: number): number {
  const v = args[index];
  if (typeof v !== 'number') throw typeError(`Argument ${index} has wrong type. Should be a Number`);
  return v >>> 0;
}

export function readString(args: Args, index: number): string {
  const v = args[index];
  if (typeof v !== 'string') throw typeError(`Argument ${index} has wrong type. Should be a String`);
  return v;
}

export function readBoolean(args: Args, index: number): boolean {
  const v = args[index];
  if (typeof v !== 'boolean') throw typeError(`Argument ${index} has wrong type. Should be a Boolean`);
  return v;
}

export type Callback = (error: Error | null, result: unknown) => void;

export function readCallback(args: Args, index: number): Callback {
  const v = args[index];
  if (typeof v !== 'function') throw typeError(`Argument ${index} has wrong type. Should be a Function`);
  return v as Callback;
}
