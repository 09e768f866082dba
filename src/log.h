/* The event log: counters, flood control, formatting and the sinks of
 * SOCKSHIELD_LOG.  Everything here is async-signal-safe: raw system calls,
 * stack buffers, atomics. */
#ifndef SOCKSHIELD_LOG_H
#define SOCKSHIELD_LOG_H

#include <sys/socket.h>

#include "config.h"
#include "state.h"

/* Opens the sink (constructor).  A sink that cannot be opened gives one
 * warning and falls back to stderr. */
void sockshield_log_init(void);

/* One event: counted, then written unless the kind is not enabled or the
 * flood control holds it back.  peer is the address the call named
 * (sendto's destination, connect's target): the line's peer on a datagram
 * socket, or when the fd has no known peer.  errno is preserved. */
void sockshield_log_event(enum sockshield_event ev, enum sockshield_call call, int fd, int err,
                          const struct sockaddr *peer, socklen_t peer_len);

/* SOCKSHIELD_PIPELINE=end: the process is about to end by the SIGPIPE of a
 * write into fd (1 or 2, a pipe whose reader is gone).  Logs that epipe
 * event with action=ended (call=write: the signal does not say which call
 * of the write family raised it), past the flood control, then the summary
 * (the process dies as bare, without its exit handlers). */
void sockshield_log_ended(int fd);

/* The direct path's EAGAIN (wrap.h: one thread, the system call made by
 * the wrapper): what the slow path does with it (io.c: the event, errno
 * EAGAIN, -1), with the frames in between left out.  When the event
 * repeats the last one of its kind inside the collapse window, it is
 * counted as a repeat right here, as sockshield_log_event would: the
 * refused flood of a busy poller costs a third of what it did. */
long sockshield_log_again_direct(enum sockshield_call call, int fd);

/* SOCKSHIELD_SUMMARY=on: the counts of this process, one record, once per
 * process image (at exit, or before an exec replaces the image).  A forked
 * child counts and reports its own events; a vfork child writes nothing. */
void sockshield_log_summary(void);
/* An exec failed after the summary was written: write it again at exit. */
void sockshield_log_summary_rearm(void);

#endif
