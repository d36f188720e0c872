/* A dense switch (jump table in .rodata: `.long .L9-.L4`), a sparse one, and a tiny interpreter. */
const char *day_name(int day) {
  switch (day) {
    case 0: return "sunday";
    case 1: return "monday";
    case 2: return "tuesday";
    case 3: return "wednesday";
    case 4: return "thursday";
    case 5: return "friday";
    case 6: return "saturday";
    default: return "unknown";
  }
}

int classify(int code) {
  switch (code) {
    case 1: return 10;
    case 7: return 20;
    case 100: return 30;
    case 1000: return 40;
    case 65536: return 50;
    default: return -1;
  }
}

long run(const unsigned char *program, long accumulator) {
  for (;;) {
    switch (*program++) {
      case 0: return accumulator;
      case 1: accumulator += *program++; break;
      case 2: accumulator -= *program++; break;
      case 3: accumulator *= *program++; break;
      case 4: accumulator <<= 1; break;
      case 5: accumulator >>= 1; break;
      case 6: accumulator = ~accumulator; break;
      case 7: accumulator ^= 0x5a5a5a5a5aL; break;
      case 8: accumulator = -accumulator; break;
      default: return -1;
    }
  }
}
