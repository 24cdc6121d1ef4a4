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

/// Most messages one I2C_RDWR may carry (the kernel's I2C_RDWR_IOCTL_MAX_MSGS): 21 records of a
/// register-address write and a read.
static const int CI2C_RDWR_MAX_MSGS = I2C_RDWR_IOCTL_MAX_MSGS;
/// One ioctl(fd, I2C_RDWR) of `count` (1...21) records for the device at `address`: each record a
/// one-byte write of `reg` (the register pointer) and a read of `length` bytes, joined by repeated
/// starts, into `out` (count × length bytes, record after record). Returns the number of messages
/// the adapter transferred (2 × count when all went), or -errno (EOPNOTSUPP: the adapter does not
/// take this shape, e.g. the Raspberry Pi's i2c-bcm2835, which allows a read only as the last
/// message, and refuses before touching the wire).
int ci2c_read_records(int fd, uint16_t address, uint8_t reg, uint16_t length, int count, uint8_t *out);

/// The adapter functionality bits the Swift side checks (I2C_FUNC_* from <linux/i2c.h>).
static const unsigned long CI2C_FUNC_I2C = I2C_FUNC_I2C;
static const unsigned long CI2C_FUNC_SMBUS_READ_BYTE = I2C_FUNC_SMBUS_READ_BYTE;
static const unsigned long CI2C_FUNC_SMBUS_READ_BYTE_DATA = I2C_FUNC_SMBUS_READ_BYTE_DATA;
static const unsigned long CI2C_FUNC_SMBUS_WRITE_BYTE_DATA = I2C_FUNC_SMBUS_WRITE_BYTE_DATA;
static const unsigned long CI2C_FUNC_SMBUS_READ_WORD_DATA = I2C_FUNC_SMBUS_READ_WORD_DATA;
static const unsigned long CI2C_FUNC_SMBUS_READ_I2C_BLOCK = I2C_FUNC_SMBUS_READ_I2C_BLOCK;
static const unsigned long CI2C_FUNC_SMBUS_WRITE_I2C_BLOCK = I2C_FUNC_SMBUS_WRITE_I2C_BLOCK;
#endif
