/* Windows.h: Windows code writes this name too (case-insensitive file system). */
#pragma once

#include "windows.h"
