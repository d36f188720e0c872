/* Checksums over byte buffers: Adler-32, a table-driven CRC-32 and Fletcher-16. */
#include <stddef.h>
#include <stdint.h>

static uint32_t crc_table[256];

void crc32_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}

uint32_t crc32_update(uint32_t crc, const unsigned char *data, size_t length) {
  crc = ~crc;
  for (size_t i = 0; i < length; i++) crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t adler32(const unsigned char *data, size_t length) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < length; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

uint16_t fletcher16(const uint8_t *data, int count) {
  uint16_t sum1 = 0, sum2 = 0;
  for (int index = 0; index < count; ++index) {
    sum1 = (sum1 + data[index]) % 255;
    sum2 = (sum2 + sum1) % 255;
  }
  return (sum2 << 8) | sum1;
}

int count_trailing(unsigned value) { return value ? __builtin_ctz(value) : 32; }
long long mul_high(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
