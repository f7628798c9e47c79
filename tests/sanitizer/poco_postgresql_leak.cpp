// Standalone proof that a refused Poco::Data::PostgreSQL connection leaks libpq's PGconn
// (tests/sanitizer/lsan.supp). Build and run, with no server on port 1:
//   g++ -std=c++17 -g -fsanitize=address poco_postgresql_leak.cpp -lPocoDataPostgreSQL -lPocoData -lPocoFoundation && ./a.out
// LeakSanitizer reports the PGconn allocated in PQconnectdb under SessionHandle::connect.
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <iostream>
int main() {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    try {
        Poco::Data::Session s("postgresql", "host=127.0.0.1 port=1 dbname=postgres user=x connect_timeout=2");
    } catch (const Poco::Exception& e) {
        std::cerr << "refused: " << e.displayText().substr(0, 60) << "\n";
    }
    Poco::Data::PostgreSQL::Connector::unregisterConnector();
}
