/* Times a command precisely, without a shell in between: fork, exec with stdin from a
 * file and stdout to /dev/null, wait4. hyperfine needs a shell to redirect stdin, and
 * its shell-startup correction is too coarse for commands that take about a millisecond.
 *
 *   spawn-bench RUNS WARMUP STDIN_FILE|- PREPARE_CMD|- -- COMMAND [ARGS...]
 *
 * Prints one JSON object: median, mean, p95, min (ms), max_rss_kib, failures. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int run_once(char **argv, const char *stdin_file, double *ms, long *rss_kib) {
  double start = now_ms();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int in = strcmp(stdin_file, "-") == 0 ? open("/dev/null", O_RDONLY) : open(stdin_file, O_RDONLY);
    int out = open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    execvp(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) return -1;
  *ms = now_ms() - start;
  *rss_kib = usage.ru_maxrss;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 7 || strcmp(argv[5], "--") != 0) {
    fprintf(stderr, "usage: spawn-bench RUNS WARMUP STDIN_FILE|- PREPARE_CMD|- -- COMMAND [ARGS...]\n");
    return 2;
  }
  int runs = atoi(argv[1]), warmup = atoi(argv[2]);
  const char *stdin_file = argv[3], *prepare = argv[4];
  char **command = argv + 6;
  double *times = calloc((size_t)runs, sizeof *times);
  long max_rss = 0, rss = 0;
  int failures = 0;
  double ms = 0;
  for (int i = 0; i < warmup + runs; ++i) {
    if (strcmp(prepare, "-") != 0 && system(prepare) != 0) failures++;
    if (run_once(command, stdin_file, &ms, &rss) != 0) failures++;
    if (rss > max_rss) max_rss = rss;
    if (i >= warmup) times[i - warmup] = ms;
  }
  qsort(times, (size_t)runs, sizeof *times, compare);
  double sum = 0;
  for (int i = 0; i < runs; ++i) sum += times[i];
  printf("{\"median\": %.4f, \"mean\": %.4f, \"p95\": %.4f, \"min\": %.4f, \"max_rss_kib\": %ld, \"failures\": %d}\n",
         times[runs / 2], sum / runs, times[(int)(runs * 0.95)], times[0], max_rss, failures);
  free(times);
  return failures == 0 ? 0 : 1;
}
