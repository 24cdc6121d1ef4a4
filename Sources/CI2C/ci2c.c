#include "ci2c.h"
#include <errno.h>
#include <sys/ioctl.h>

int ci2c_set_address(int fd, int address, int force) {
    int r = ioctl(fd, force ? I2C_SLAVE_FORCE : I2C_SLAVE, address);
    return r < 0 ? -errno : 0;
}

int ci2c_functionality(int fd, unsigned long *funcs) {
    int r = ioctl(fd, I2C_FUNCS, funcs);
    return r < 0 ? -errno : 0;
}
