// tsnc's native addon: what Node.js 20 cannot do with its own sockets.
//  - setsockopt() of an int on an existing descriptor: SO_RCVBUF / SO_SNDBUF (-I / -O) and
//    IP_TOS / IPV6_TCLASS (-T), as nc.openbsd's set_common_sockopts();
//  - the bytes of a TCP socket's send queue the peer has not acknowledged yet (SIOCOUTQ), so that
//    -q's close waits for them instead of resetting them away;
//  - the size of a pipe's buffer (F_SETPIPE_SZ), so that stdin from a pipe comes in large reads;
//  - unix datagram sockets (-U -u): socket, bind, connect, send, recvfrom, close, and readiness
//    through a libuv poll handle on Node's own loop (no threads, no busy loop);
//  - unix stream sockets on an abstract name (-U @name): Node 20's libuv binds and connects them
//    with the whole 108-byte sun_path (the name padded with NULs, which nobody else can reach),
//    so the socket is made here with the exact length and handed to Node as a descriptor.
// Every failure is thrown as an Error with `code` (ENOENT, ...) and `syscall`, like Node's own.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

// SIOCOUTQ comes from the kernel's headers, which musl's toolchain (musl-gcc) does not see; on
// Linux it is the same request as TIOCOUTQ, which every libc's <sys/ioctl.h> has.
#if defined(__has_include)
#if __has_include(<linux/sockios.h>)
#include <linux/sockios.h>
#endif
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

#include <node_api.h>
#include <uv.h>

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  napi_value code, message, error, syscall_value, errno_value;
  const char *name = uv_err_name(-err);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  char text[256];
  snprintf(text, sizeof text, "%s %s", syscall, name);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_create_int32(env, -err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *text) {
  napi_throw_type_error(env, NULL, text);
  return NULL;
}

static int int_arg(napi_env env, napi_value value, int32_t *out) {
  return napi_get_value_int32(env, value, out) == napi_ok;
}

// For the functions whose one argument is a descriptor: false (a TypeError thrown) if it is not one.
static int fd_only_arg(napi_env env, napi_callback_info info, int32_t *fd, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      !int_arg(env, argv[0], fd)) {
    throw_type(env, usage);
    return 0;
  }
  return 1;
}

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

// A unix address from a JS Buffer: "@name" is abstract (Debian's nc.openbsd), else a path.
// Returns the address length, or 0 (with a JS exception pending) if it does not fit.
static socklen_t unix_address(napi_env env, napi_value value, struct sockaddr_un *address) {
  void *data;
  size_t length;
  if (napi_get_buffer_info(env, value, &data, &length) != napi_ok) {
    throw_type(env, "path must be a Buffer");
    return 0;
  }
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  const char *bytes = data;
  if (length > 0 && bytes[0] == '@') {
    if (length > sizeof address->sun_path) {
      throw_errno(env, ENAMETOOLONG, "bind");
      return 0;
    }
    memcpy(address->sun_path + 1, bytes + 1, length - 1);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
  }
  if (length >= sizeof address->sun_path) {
    throw_errno(env, ENAMETOOLONG, "bind");
    return 0;
  }
  memcpy(address->sun_path, bytes, length);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length + 1);
}

// setsockopt(fd, level, name, value): an int option on a descriptor Node.js opened.
static napi_value set_int_option(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd, level, name, value;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !int_arg(env, argv[0], &fd) || !int_arg(env, argv[1], &level) ||
      !int_arg(env, argv[2], &name) || !int_arg(env, argv[3], &value))
    return throw_type(env, "setIntOption(fd, level, name, value)");
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) return throw_errno(env, errno, "setsockopt");
  return NULL;
}

// getsockopt(fd, level, name) of an int.
static napi_value get_int_option(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd, level, name;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !int_arg(env, argv[0], &fd) || !int_arg(env, argv[1], &level) ||
      !int_arg(env, argv[2], &name))
    return throw_type(env, "getIntOption(fd, level, name)");
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd, level, name, &value, &length) != 0) return throw_errno(env, errno, "getsockopt");
  return number(env, value);
}

// The address family of a socket (getsockname), to pick IP_TOS or IPV6_TCLASS.
static napi_value socket_family(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!fd_only_arg(env, info, &fd, "socketFamily(fd)")) return NULL;
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0)
    return throw_errno(env, errno, "getsockname");
  return number(env, address.ss_family);
}

// Bytes sent on a TCP socket that the peer has not acknowledged (SIOCOUTQ).
static napi_value send_queue(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!fd_only_arg(env, info, &fd, "sendQueue(fd)")) return NULL;
  int pending = 0;
  if (ioctl(fd, SIOCOUTQ, &pending) != 0) return throw_errno(env, errno, "ioctl");
  return number(env, pending);
}

// Set the size of a pipe's kernel buffer (F_SETPIPE_SZ); returns the size the kernel chose.
static napi_value set_pipe_size(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd, size;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      !int_arg(env, argv[0], &fd) || !int_arg(env, argv[1], &size))
    return throw_type(env, "setPipeSize(fd, size)");
  int result = fcntl(fd, F_SETPIPE_SZ, size);
  if (result < 0) return throw_errno(env, errno, "fcntl");
  return number(env, result);
}

// A new unix datagram socket, non-blocking and close-on-exec.
static napi_value dgram_open(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  return number(env, fd);
}

static napi_value address_call(napi_env env, napi_callback_info info, int is_bind) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !int_arg(env, argv[0], &fd)) return throw_type(env, "(fd, path)");
  struct sockaddr_un address;
  socklen_t length = unix_address(env, argv[1], &address);
  if (length == 0) return NULL;
  int status = is_bind ? bind(fd, (struct sockaddr *)&address, length)
                       : connect(fd, (struct sockaddr *)&address, length);
  if (status != 0) return throw_errno(env, errno, is_bind ? "bind" : "connect");
  return NULL;
}

// A non-blocking, close-on-exec unix stream socket, listening on or connected to the address in
// path (a Buffer, with the exact length of unix_address()); the descriptor, or -1 with a JS
// exception pending.
static int stream_socket(napi_env env, napi_value path, int is_listen, int32_t backlog) {
  struct sockaddr_un address;
  socklen_t length = unix_address(env, path, &address);
  if (length == 0) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, errno, "socket");
    return -1;
  }
  int status;
  if (is_listen) {
    status = bind(fd, (struct sockaddr *)&address, length);
    if (status == 0) status = listen(fd, backlog);
  } else {
    // A unix stream connect() does not go on in the background: it succeeds at once, or fails
    // (EAGAIN when the listener's backlog is full, as libuv reports it too).
    do {
      status = connect(fd, (struct sockaddr *)&address, length);
    } while (status != 0 && errno == EINTR);
  }
  if (status != 0) {
    int err = errno;
    close(fd);
    throw_errno(env, err, is_listen ? "listen" : "connect");
    return -1;
  }
  return fd;
}

// streamListen(path, backlog): a listening unix stream socket's descriptor.
static napi_value stream_listen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t backlog;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !int_arg(env, argv[1], &backlog)) return throw_type(env, "streamListen(path, backlog)");
  int fd = stream_socket(env, argv[0], 1, backlog);
  return fd < 0 ? NULL : number(env, fd);
}

// streamConnect(path): a connected unix stream socket's descriptor.
static napi_value stream_connect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_type(env, "streamConnect(path)");
  int fd = stream_socket(env, argv[0], 0, 0);
  return fd < 0 ? NULL : number(env, fd);
}

static napi_value dgram_bind(napi_env env, napi_callback_info info) { return address_call(env, info, 1); }

static napi_value dgram_connect(napi_env env, napi_callback_info info) {
  return address_call(env, info, 0);
}

// send(fd, buffer[, path]): the bytes sent, or -1 if the peer's queue is full (EAGAIN: wait for
// the socket to be writable).
static napi_value dgram_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd;
  void *data;
  size_t length;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !int_arg(env, argv[0], &fd) ||
      napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok)
    return throw_type(env, "send(fd, buffer[, path])");
  napi_valuetype type = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &type);
  ssize_t sent;
  if (type == napi_undefined) {
    sent = send(fd, data, length, MSG_NOSIGNAL);
  } else {
    struct sockaddr_un address;
    socklen_t address_length = unix_address(env, argv[2], &address);
    if (address_length == 0) return NULL;
    sent = sendto(fd, data, length, MSG_NOSIGNAL, (struct sockaddr *)&address, address_length);
  }
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return number(env, -1);
    return throw_errno(env, errno, "send");
  }
  return number(env, (double)sent);
}

// recv(fd): { data, from } for the next datagram (from: the sender's path, "@name" for an
// abstract one, "" for an unbound sender), or null if there is none (EAGAIN).
static napi_value dgram_recv(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!fd_only_arg(env, info, &fd, "recv(fd)")) return NULL;
  // The exact size of the next datagram, so none is ever truncated.
  ssize_t size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
  if (size < 0) {
    napi_value null_value;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      napi_get_null(env, &null_value);
      return null_value;
    }
    return throw_errno(env, errno, "recvfrom");
  }
  void *bytes;
  napi_value buffer;
  CHECK(napi_create_buffer(env, size > 0 ? (size_t)size : 1, &bytes, &buffer));
  struct sockaddr_un address;
  socklen_t address_length = sizeof address;
  memset(&address, 0, sizeof address);
  ssize_t got = recvfrom(fd, bytes, size > 0 ? (size_t)size : 1, 0, (struct sockaddr *)&address,
                         &address_length);
  if (got < 0) return throw_errno(env, errno, "recvfrom");
  napi_value data, from, result;
  if ((size_t)got == 0) {
    CHECK(napi_create_buffer(env, 0, &bytes, &data));
  } else {
    CHECK(napi_create_buffer_copy(env, (size_t)got, bytes, NULL, &data));
  }
  size_t path_length = address_length > offsetof(struct sockaddr_un, sun_path)
                           ? address_length - offsetof(struct sockaddr_un, sun_path)
                           : 0;
  char path[sizeof address.sun_path + 1];
  if (path_length == 0) {
    path[0] = '\0';
  } else if (address.sun_path[0] == '\0') {
    path[0] = '@';
    memcpy(path + 1, address.sun_path + 1, path_length - 1);
    path[path_length] = '\0';
  } else {
    memcpy(path, address.sun_path, path_length);
    path[path_length] = '\0';
  }
  CHECK(napi_create_string_utf8(env, path, strnlen(path, sizeof path), &from));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "data", data));
  CHECK(napi_set_named_property(env, result, "from", from));
  return result;
}

static napi_value fd_close(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!fd_only_arg(env, info, &fd, "close(fd)")) return NULL;
  if (close(fd) != 0) return throw_errno(env, errno, "close");
  return NULL;
}

// A libuv poll handle on Node's loop: callback(status, readable, writable) on readiness.
typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_ref receiver;
  napi_async_context context;
  int closing;
} Poller;

static void on_poll(uv_poll_t *handle, int status, int events) {
  Poller *poller = handle->data;
  napi_env env = poller->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, receiver, argv[3], result;
  if (napi_get_reference_value(env, poller->callback, &callback) == napi_ok &&
      napi_get_reference_value(env, poller->receiver, &receiver) == napi_ok) {
    napi_create_int32(env, status, &argv[0]);
    napi_get_boolean(env, (events & UV_READABLE) != 0, &argv[1]);
    napi_get_boolean(env, (events & UV_WRITABLE) != 0, &argv[2]);
    // make_callback, not call_function: promises settled in the callback run their
    // continuations right after it, as for any I/O callback of Node's.
    napi_make_callback(env, poller->context, receiver, callback, 3, argv, &result);
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) { free(handle->data); }

static void poller_release(napi_env env, Poller *poller) {
  napi_delete_reference(env, poller->callback);
  napi_delete_reference(env, poller->receiver);
  napi_async_destroy(env, poller->context);
}

static Poller *poller_of(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
                         napi_value *self) {
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, *self, &data) != napi_ok || data == NULL) {
    throw_type(env, "not a poller");
    return NULL;
  }
  Poller *poller = data;
  if (poller->closing) {
    throw_type(env, "poller is closed");
    return NULL;
  }
  return poller;
}

// poller.start(readable, writable): watch for these (both false: stop watching).
static napi_value poller_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  Poller *poller = poller_of(env, info, &argc, argv, &self);
  if (poller == NULL) return NULL;
  bool readable = false, writable = false;
  if (argc >= 1) napi_get_value_bool(env, argv[0], &readable);
  if (argc >= 2) napi_get_value_bool(env, argv[1], &writable);
  int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
  int status = events == 0 ? uv_poll_stop(&poller->handle)
                           : uv_poll_start(&poller->handle, events, on_poll);
  if (status != 0) return throw_errno(env, -status, "uv_poll_start");
  return NULL;
}

// poller.close(): stop watching for good (before the descriptor is closed).
static napi_value poller_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value self;
  Poller *poller = poller_of(env, info, &argc, NULL, &self);
  if (poller == NULL) return NULL;
  poller->closing = 1;
  void *unused;
  napi_remove_wrap(env, self, &unused);
  poller_release(env, poller);
  uv_close((uv_handle_t *)&poller->handle, on_closed);
  return NULL;
}

// new Poller(fd, callback)
static napi_value poller_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  int32_t fd;
  napi_valuetype type;
  if (argc < 2 || !int_arg(env, argv[0], &fd) || napi_typeof(env, argv[1], &type) != napi_ok ||
      type != napi_function)
    return throw_type(env, "new Poller(fd, callback)");
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  Poller *poller = calloc(1, sizeof *poller);
  if (poller == NULL) return throw_errno(env, ENOMEM, "calloc");
  int status = uv_poll_init(loop, &poller->handle, fd);
  if (status != 0) {
    free(poller);
    return throw_errno(env, -status, "uv_poll_init");
  }
  poller->handle.data = poller;
  poller->env = env;
  napi_value name;
  napi_create_string_utf8(env, "tsnc:unix-dgram", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &poller->context);
  napi_create_reference(env, argv[1], 1, &poller->callback);
  napi_create_reference(env, self, 1, &poller->receiver);
  // No finalizer: the poller lives until close(), which the owner always calls.
  CHECK(napi_wrap(env, self, poller, NULL, NULL, NULL));
  return self;
}

#define EXPORT_FUNCTION(name, fn)                                                                  \
  do {                                                                                             \
    napi_value value;                                                                              \
    CHECK(napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &value));                    \
    CHECK(napi_set_named_property(env, exports, name, value));                                     \
  } while (0)

#define EXPORT_CONSTANT(name)                                                                      \
  CHECK(napi_set_named_property(env, constants, #name, number(env, name)))

static napi_value init(napi_env env, napi_value exports) {
  EXPORT_FUNCTION("setIntOption", set_int_option);
  EXPORT_FUNCTION("getIntOption", get_int_option);
  EXPORT_FUNCTION("socketFamily", socket_family);
  EXPORT_FUNCTION("sendQueue", send_queue);
  EXPORT_FUNCTION("setPipeSize", set_pipe_size);
  EXPORT_FUNCTION("dgramOpen", dgram_open);
  EXPORT_FUNCTION("dgramBind", dgram_bind);
  EXPORT_FUNCTION("dgramConnect", dgram_connect);
  EXPORT_FUNCTION("dgramSend", dgram_send);
  EXPORT_FUNCTION("dgramRecv", dgram_recv);
  EXPORT_FUNCTION("streamListen", stream_listen);
  EXPORT_FUNCTION("streamConnect", stream_connect);
  EXPORT_FUNCTION("close", fd_close);

  napi_property_descriptor methods[] = {
      {"start", NULL, poller_start, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, poller_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value poller_class;
  CHECK(napi_define_class(env, "Poller", NAPI_AUTO_LENGTH, poller_new, NULL, 2, methods,
                          &poller_class));
  CHECK(napi_set_named_property(env, exports, "Poller", poller_class));

  napi_value constants;
  CHECK(napi_create_object(env, &constants));
  EXPORT_CONSTANT(AF_INET);
  EXPORT_CONSTANT(AF_INET6);
  EXPORT_CONSTANT(SOL_SOCKET);
  EXPORT_CONSTANT(SO_RCVBUF);
  EXPORT_CONSTANT(SO_SNDBUF);
  EXPORT_CONSTANT(IPPROTO_IP);
  EXPORT_CONSTANT(IP_TOS);
  EXPORT_CONSTANT(IPPROTO_IPV6);
  EXPORT_CONSTANT(IPV6_TCLASS);
  CHECK(napi_set_named_property(env, exports, "constants", constants));
  return exports;
}

NAPI_MODULE(tsnc_native, init)
