// C-only boundary for Linux I2C: <linux/i2c-dev.h> (ioctl numbers) and libi2c's <i2c/smbus.h>
// (SMBus transfers). Swift cannot call the variadic ioctl() or open(), and several I2C_FUNC_*
// masks are compound macros Swift does not import, so they live here.
//
// Every function returns a non-negative result or -errno: libi2c 4.x's i2c_smbus_* already do
// (i2c_smbus_access: `err = ioctl(...); if (err == -1) err = -errno;`), and the wrappers below
// follow the same convention so the Swift side never reads the thread-local errno.
#ifndef CI2C_H
#define CI2C_H
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <i2c/smbus.h>
#include <stdint.h>

/// open(path, O_RDWR | O_CLOEXEC). Returns the fd, or -errno.
int ci2c_open(const char *path);
/// close(fd). Returns 0, or -errno.
int ci2c_close(int fd);
/// ioctl(fd, I2C_SLAVE or I2C_SLAVE_FORCE, address). Returns 0, or -errno (EBUSY: a kernel
/// driver is bound to that address).
int ci2c_set_address(int fd, int address, int force);
/// ioctl(fd, I2C_FUNCS, &funcs). Returns 0, or -errno.
int ci2c_functionality(int fd, unsigned long *funcs);

/// The adapter functionality bits the Swift side checks (I2C_FUNC_* from <linux/i2c.h>).
static const unsigned long CI2C_FUNC_I2C = I2C_FUNC_I2C;
static const unsigned long CI2C_FUNC_SMBUS_READ_BYTE = I2C_FUNC_SMBUS_READ_BYTE;
static const unsigned long CI2C_FUNC_SMBUS_READ_BYTE_DATA = I2C_FUNC_SMBUS_READ_BYTE_DATA;
static const unsigned long CI2C_FUNC_SMBUS_WRITE_BYTE_DATA = I2C_FUNC_SMBUS_WRITE_BYTE_DATA;
static const unsigned long CI2C_FUNC_SMBUS_READ_WORD_DATA = I2C_FUNC_SMBUS_READ_WORD_DATA;
static const unsigned long CI2C_FUNC_SMBUS_READ_I2C_BLOCK = I2C_FUNC_SMBUS_READ_I2C_BLOCK;
static const unsigned long CI2C_FUNC_SMBUS_WRITE_I2C_BLOCK = I2C_FUNC_SMBUS_WRITE_I2C_BLOCK;
#endif
