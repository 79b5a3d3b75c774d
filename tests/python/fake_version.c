/*
 * fake_version.c - a library that says it is another libhypomnesis release
 * (FAKE_VERSION_NUMBER), to check that importing the Python package refuses it.
 */
#define FAKE_STR2(x) #x
#define FAKE_STR(x) FAKE_STR2(x)

#if defined(_WIN32)
#define FAKE_API __declspec(dllexport)
#else
#define FAKE_API __attribute__((visibility("default")))
#endif

FAKE_API unsigned hmn_version_number(void);
FAKE_API const char *hmn_version(void);

unsigned hmn_version_number(void)
{
    return FAKE_VERSION_NUMBER;
}

const char *hmn_version(void)
{
    return FAKE_STR(FAKE_VERSION_NUMBER);
}
