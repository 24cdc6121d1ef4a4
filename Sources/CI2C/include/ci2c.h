// C-only boundary for Linux I2C: <linux/i2c-dev.h> (ioctl numbers) and libi2c's <i2c/smbus.h>
// (SMBus transfers). Swift cannot call the variadic ioctl(), so the few ioctls live here.
#ifndef CI2C_H
#define CI2C_H
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <i2c/smbus.h>
#include <stdint.h>

/// ioctl(fd, I2C_SLAVE or I2C_SLAVE_FORCE, address). Returns 0, or -errno.
int ci2c_set_address(int fd, int address, int force);
/// ioctl(fd, I2C_FUNCS, &funcs). Returns 0, or -errno.
int ci2c_functionality(int fd, unsigned long *funcs);
#endif
