/*
 * Functions compiled by gcc, tested through vial. checksum.s is the committed output of
 *   gcc -O2 -masm=intel -S checksum.c
 * (regenerate it with that command; the test also recompiles when gcc is installed).
 */
#include <stdint.h>
#include <stddef.h>

/* Saturating 32-bit addition: clamps instead of wrapping. */
int32_t sat_add32(int32_t a, int32_t b) {
  int64_t sum = (int64_t)a + b;
  if (sum > INT32_MAX) return INT32_MAX;
  if (sum < INT32_MIN) return INT32_MIN;
  return (int32_t)sum;
}

/* Greatest common divisor, Euclid's way (gcc emits a div loop). */
uint64_t gcd64(uint64_t a, uint64_t b) {
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* Fletcher-16 checksum of n bytes. */
uint16_t fletcher16(const uint8_t *data, size_t n) {
  uint32_t sum1 = 0, sum2 = 0;
  for (size_t i = 0; i < n; i++) {
    sum1 = (sum1 + data[i]) % 255;
    sum2 = (sum2 + sum1) % 255;
  }
  return (uint16_t)((sum2 << 8) | sum1);
}
