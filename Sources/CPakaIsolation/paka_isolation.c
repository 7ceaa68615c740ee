#define _GNU_SOURCE
#include "paka_isolation.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int paka_spawn_worker(const char *executable, char *const argv[], char *const envp[], int child_fd, pid_t *pid) {
  posix_spawn_file_actions_t actions;
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc) return rc;
  rc = posix_spawn_file_actions_adddup2(&actions, child_fd, 3);
  if (!rc) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 4);
  if (!rc) rc = posix_spawn(pid, executable, &actions, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

int paka_worker_die_with_parent(void) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
  /* The host may already have died between fork and prctl. */
  return getppid() == 1 ? ESRCH : 0;
}

int paka_worker_limit_memory(size_t megabytes) {
  struct rlimit limit = {(rlim_t)megabytes << 20, (rlim_t)megabytes << 20};
  return setrlimit(RLIMIT_AS, &limit) == 0 ? 0 : errno;
}

/* Layout of a journal file: a 24-byte header ("PAKAJRN1", the in-flight length as 8 bytes, the
 * fatal signal as 4 bytes, 4 spare), then the in-flight line.  The length is written last on
 * begin and zeroed on end; the signal handler fills in the signal. */
#define MAX_SLOTS 1024
#define HEADER 24
struct slot { char *map; size_t capacity; volatile sig_atomic_t used; };
static struct slot slots[MAX_SLOTS];
static volatile sig_atomic_t slot_count;

int paka_journal_open(const char *path, size_t capacity) {
  if (slot_count >= MAX_SLOTS || capacity <= HEADER) return -1;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (ftruncate(fd, (off_t)capacity) != 0) { close(fd); return -1; }
  char *map = mmap(NULL, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return -1;
  memset(map, 0, HEADER);
  memcpy(map, "PAKAJRN1", 8);
  int index = slot_count;
  slots[index].map = map;
  slots[index].capacity = capacity;
  slots[index].used = 0;
  slot_count = index + 1;
  return index;
}

void paka_journal_begin(int slot, const char *text, size_t length) {
  if (slot < 0 || slot >= slot_count) return;
  struct slot *s = &slots[slot];
  if (length > s->capacity - HEADER) length = s->capacity - HEADER;
  memcpy(s->map + HEADER, text, length);
  __atomic_store_n((size_t *)(s->map + 8), length, __ATOMIC_RELEASE);
  s->used = 1;
}

void paka_journal_end(int slot) {
  if (slot < 0 || slot >= slot_count) return;
  slots[slot].used = 0;
  __atomic_store_n((size_t *)(slots[slot].map + 8), (size_t)0, __ATOMIC_RELEASE);
}

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
static struct sigaction previous[sizeof fatal_signals / sizeof fatal_signals[0]];

static void write_all(const char *text, size_t length) {
  while (length > 0) {
    ssize_t n = write(2, text, length);
    if (n <= 0) { if (n < 0 && errno == EINTR) continue; return; }
    text += n, length -= (size_t)n;
  }
}

/* Async-signal-safe: only write(2), sigaction(2) and raise(3). */
static void on_fatal_signal(int sig) {
  int saved = errno;
  for (int i = 0; i < slot_count; i++) {
    if (!slots[i].used) continue;
    size_t length = __atomic_load_n((size_t *)(slots[i].map + 8), __ATOMIC_ACQUIRE);
    if (length == 0) continue;
    *(volatile int *)(slots[i].map + 16) = sig;
    write_all("paka: fatal signal while a plugin handled: ", 43);
    write_all(slots[i].map + HEADER, length);
    write_all("\n", 1);
  }
  for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
    if (fatal_signals[i] == sig) sigaction(sig, &previous[i], NULL);
  errno = saved;
  raise(sig);  /* blocked while we run: delivered to the previous handler when we return */
}

void paka_journal_install_signal_handlers(void) {
  static int installed;
  if (__atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL)) return;
  for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_ONSTACK;
    sigaction(fatal_signals[i], &action, &previous[i]);
  }
}
