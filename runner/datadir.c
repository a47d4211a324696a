/*
 * datadir.c - see datadir.h.
 */
#include "datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[PATH_MAX];

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hc_data_dir(void) {
  if (dir[0])
    return dir;
  const char *env = getenv("HALFCLOSE_DATA_DIR");
  if (env && *env && strlen(env) < sizeof dir) {
    snprintf(dir, sizeof dir, "%s", env);
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      char probe[PATH_MAX + 32];
      snprintf(probe, sizeof probe, "%s/../share/halfclose/plots", exe);
      if (is_dir(probe) &&
          strlen(exe) + sizeof "/../share/halfclose" <= sizeof dir) {
        /* <prefix>/bin -> <prefix>/share/halfclose */
        char *up = strrchr(exe, '/');
        if (up && strcmp(up, "/bin") == 0) {
          *up = '\0';
          snprintf(dir, sizeof dir, "%s/share/halfclose", exe);
        } else {
          snprintf(dir, sizeof dir, "%s/../share/halfclose", exe);
        }
        return dir;
      }
    }
  }
  snprintf(dir, sizeof dir, "%s", HALFCLOSE_SOURCE_DIR);
  return dir;
}

int hc_data_path(const char *rel, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s/%s", hc_data_dir(), rel);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}
