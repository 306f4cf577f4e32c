/* Ksmedia.h: Windows code writes this name too (case-insensitive file system). */
#pragma once

#include "ksmedia.h"
