// Being written (issue 9).
#include <gtest/gtest.h>
