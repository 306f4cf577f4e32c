#include <gtest/gtest.h>
#include <hilcap/uvc/descriptor_parser.h>
