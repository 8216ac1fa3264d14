/**
 * The worker thread of one connection (WorkerExecutor): its own SqliteStore,
 * its own Cryptoki, one request at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Cryptoki } from '../core/cryptoki.js';
import { SqliteStore } from '../store/sqlite.js';
import { ProtocolError } from './codec.js';
import { Dispatcher } from './dispatch.js';
import { transferable, type FromWorker, type ToWorker, type WorkerData } from './executor.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs as a worker thread');

const data = workerData as WorkerData;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const store = new SqliteStore(data.storePath);
const p11 = new Cryptoki({ ...data.cryptoki, store });
const dispatcher = new Dispatcher(p11, data.dialect, {
  maxOutput: data.maxOutput,
  onInternalError: (call, e) => post({ kind: 'log', level: 'error', message: `${call}: internal error: ${e instanceof Error ? e.message : String(e)}` }),
});

let closed = false;

port.on('message', (m: ToWorker) => {
  if (m.kind === 'call') {
    if (closed) return;
    let response: Buffer;
    try {
      response = dispatcher.handle(Buffer.from(m.body));
    } catch (e) {
      const message = e instanceof ProtocolError ? e.message : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
      post({ kind: 'protocol-error', id: m.id, message });
      return;
    }
    const body = transferable(response);
    post({ kind: 'result', id: m.id, body }, [body]);
  } else if (m.kind === 'close') {
    if (closed) return;
    closed = true;
    dispatcher.close();
    try {
      store.close();
    } finally {
      post({ kind: 'closed' });
      port.close();
    }
  }
});
