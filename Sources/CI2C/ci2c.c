#include "ci2c.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int ci2c_open(const char *path) {
    // O_CLOEXEC: a bus fd must not leak into programs the service spawns.
    int fd = open(path, O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int ci2c_close(int fd) {
    return close(fd) < 0 ? -errno : 0;
}

int ci2c_set_address(int fd, int address, int force) {
    int r = ioctl(fd, force ? I2C_SLAVE_FORCE : I2C_SLAVE, address);
    return r < 0 ? -errno : 0;
}

int ci2c_functionality(int fd, unsigned long *funcs) {
    int r = ioctl(fd, I2C_FUNCS, funcs);
    return r < 0 ? -errno : 0;
}
