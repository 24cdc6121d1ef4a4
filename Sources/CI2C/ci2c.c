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

int ci2c_read_records(int fd, uint16_t address, uint8_t reg, uint16_t length, int count, uint8_t *out) {
    struct i2c_msg msgs[I2C_RDWR_IOCTL_MAX_MSGS];
    if (count < 1 || 2 * count > I2C_RDWR_IOCTL_MAX_MSGS || length == 0) return -EINVAL;
    // i2c-dev copies each write message's buffer in, so every record may point at the same byte.
    uint8_t pointer = reg;
    for (int i = 0; i < count; i++) {
        msgs[2 * i] = (struct i2c_msg){.addr = address, .flags = 0, .len = 1, .buf = &pointer};
        msgs[2 * i + 1] = (struct i2c_msg){
            .addr = address, .flags = I2C_M_RD, .len = length, .buf = out + (size_t)i * length};
    }
    struct i2c_rdwr_ioctl_data data = {.msgs = msgs, .nmsgs = (uint32_t)(2 * count)};
    int r = ioctl(fd, I2C_RDWR, &data);
    return r < 0 ? -errno : r;
}
