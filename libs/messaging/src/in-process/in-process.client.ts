import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { processBus, type InProcessBus } from './in-process-bus.js';

/** The client half of the in-process transport: `send` and `emit` as with `ClientKafka`. */
export class InProcessClient extends ClientProxy {
  constructor(private readonly bus: InProcessBus = processBus) {
    super();
  }

  async connect(): Promise<void> {}

  close(): void {}

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    this.bus.request(this.normalizePattern(packet.pattern), packet.data).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err: err instanceof Error ? err.message : err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected async dispatchEvent<T>(packet: ReadPacket): Promise<T> {
    await this.bus.emit(this.normalizePattern(packet.pattern), packet.data);
    return undefined as T;
  }
}
