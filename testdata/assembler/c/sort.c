/* Sorting: insertion sort, an iterative quicksort and a binary search, on ints and longs. */
#include <stddef.h>

void insertion_sort(int *values, size_t count) {
  for (size_t i = 1; i < count; i++) {
    int key = values[i];
    size_t j = i;
    while (j > 0 && values[j - 1] > key) {
      values[j] = values[j - 1];
      j--;
    }
    values[j] = key;
  }
}

static void swap_long(long *a, long *b) {
  long t = *a;
  *a = *b;
  *b = t;
}

void quicksort(long *values, long low, long high) {
  long stack[128];
  int top = 0;
  stack[top++] = low;
  stack[top++] = high;
  while (top > 0) {
    high = stack[--top];
    low = stack[--top];
    if (low >= high) continue;
    long pivot = values[(low + high) / 2];
    long i = low, j = high;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) swap_long(&values[i++], &values[j--]);
    }
    stack[top++] = low;
    stack[top++] = j;
    stack[top++] = i;
    stack[top++] = high;
  }
}

long binary_search(const long *values, long count, long key) {
  long low = 0, high = count - 1;
  while (low <= high) {
    long middle = low + (high - low) / 2;
    if (values[middle] == key) return middle;
    if (values[middle] < key) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

int is_sorted(const int *values, size_t count) {
  for (size_t i = 1; i < count; i++)
    if (values[i - 1] > values[i]) return 0;
  return 1;
}
