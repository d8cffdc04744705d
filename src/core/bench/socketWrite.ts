/**
 * The load generator's one way to write a message: straight to the socket's descriptor when
 * nothing is queued, through the socket's stream otherwise.
 *
 * Why not always `socket.write`: each call allocates a write request, updates the Writable state
 * and schedules a nextTick for its callback. With one 16-byte message per write that is about
 * 0.8 µs of the client's ~11 µs per message at 10,000 connections (bench/README.md), time taken
 * from the stage being measured. A plain write(2) on the non-blocking descriptor does the same
 * kernel work without it.
 */
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

/**
 * The socket's file descriptor, or -1 where there is none to write to (Windows, a pipe, a socket
 * not connected yet). `_handle.fd` is not documented, hence the checks and the stream fallback.
 */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * Writes `bytes` in order after everything written before. The descriptor is used only when the
 * stream holds nothing (otherwise the bytes would overtake it); whatever write(2) cannot take,
 * a full send buffer (EAGAIN), a short write, or an error such as a reset peer, goes to the
 * stream, which queues it or reports the error through the socket's 'error' event as usual.
 */
export function writeInOrder(socket: Socket, fd: number, bytes: Buffer): void {
  if (fd >= 0 && socket.writableLength === 0 && !socket.destroyed) {
    let written = 0;
    try {
      written = writeSync(fd, bytes);
    } catch {
      written = 0;
    }
    if (written === bytes.length) return;
    if (written > 0) bytes = bytes.subarray(written);
  }
  socket.write(bytes);
}
