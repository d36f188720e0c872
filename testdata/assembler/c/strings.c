/* String functions written out (no libc): length, copy, compare, search, reverse, atoi, itoa. */
#include <stddef.h>

size_t my_strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

char *my_strcpy(char *destination, const char *source) {
  char *d = destination;
  while ((*d++ = *source++)) {
  }
  return destination;
}

int my_strcmp(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

const char *my_strchr(const char *s, int c) {
  for (; *s; s++)
    if (*s == (char)c) return s;
  return c == 0 ? s : NULL;
}

void my_reverse(char *s) {
  size_t n = my_strlen(s);
  for (size_t i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

long my_atoi(const char *s) {
  long sign = 1, value = 0;
  while (*s == ' ' || *s == '\t') s++;
  if (*s == '-') {
    sign = -1;
    s++;
  }
  while (*s >= '0' && *s <= '9') value = value * 10 + (*s++ - '0');
  return sign * value;
}

static char digits_buffer[32];
static const char hex_digits[] = "0123456789abcdef";

char *my_utoa(unsigned long value, unsigned base) {
  char *p = digits_buffer + sizeof digits_buffer - 1;
  *p = 0;
  do {
    *--p = hex_digits[value % base];
    value /= base;
  } while (value);
  return p;
}

int count_words(const char *s) {
  int words = 0, in_word = 0;
  for (; *s; s++) {
    int space = *s == ' ' || *s == '\n' || *s == '\t';
    if (!space && !in_word) words++;
    in_word = !space;
  }
  return words;
}
